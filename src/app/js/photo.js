// Photos are shrunk on the phone before they are queued: a 12-megapixel
// camera picture becomes a JPEG no larger than the server keeps (its
// `display_max_edge`, 1,600 px a side when it does not say), a few hundred
// kilobytes, which is quick to send on ward Wi-Fi and small in the outbox.
// Drawing it on a canvas and encoding that keeps the pixels only, so the
// EXIF block (location, device, time) never leaves the phone; the server
// re-encodes again anyway.

const DEFAULT_LONGEST_SIDE = 1600;
const QUALITY = 0.85;

/** The picked image file, resized and re-encoded as a JPEG Blob. */
export async function shrinkPhoto(file, longestSide = DEFAULT_LONGEST_SIDE) {
  // `from-image` turns the picture upright as the camera's EXIF says,
  // before that EXIF is dropped.
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, longestSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("encode failed"))), "image/jpeg", QUALITY),
  );
}
