// What the app keeps on the phone, in IndexedDB: the tokens, the session
// under way, the forms and the outbox. IndexedDB rather than localStorage
// because it holds photos (Blobs), and because together with
// `navigator.storage.persist()` (see install.js) it is storage the browser
// keeps. Every write is awaited before the screen moves on, so closing the
// app straight after a tap loses nothing.

const NAME = "tessera";
const VERSION = 1;

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("kv");
      const outbox = db.createObjectStore("outbox", { keyPath: "client_id" });
      outbox.createIndex("account", "account");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

/** Runs `work` on one object store and resolves with its request's result once committed. */
async function run(storeName, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = work(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

/** Small values by key: tokens, sessions, cached forms, the language. */
export const kv = {
  get: (key) => run("kv", "readonly", (store) => store.get(key)),
  set: (key, value) => run("kv", "readwrite", (store) => store.put(value, key)),
  delete: (key) => run("kv", "readwrite", (store) => store.delete(key)),
};

/**
 * Everything waiting to reach the server, keyed by its `client_id` (the
 * server is idempotent on it, so a resend after a lost response stores
 * nothing twice), per account so a shared ward phone never sends one
 * person's work as another's. Items are `{ client_id, account, type,
 * queued_at, ... }`, with `type` "answer", "observation" or "photo" (an
 * observation's photo, sent after it).
 */
export const outbox = {
  /** Stores the items together: all or none. */
  putAll: (items) =>
    run("outbox", "readwrite", (store) => {
      for (const item of items) store.put(item);
    }),
  remove: (clientId) => run("outbox", "readwrite", (store) => store.delete(clientId)),
  async of(account) {
    const items = await run("outbox", "readonly", (store) => store.index("account").getAll(account));
    return items.sort((a, b) => a.queued_at - b.queued_at);
  },
};
