// The shapes the app works with. Request and response bodies are taken from
// the types generated from the committed OpenAPI document (src/api-types.ts)
// by path and status code, not by schema name, so renaming a schema on the
// server changes nothing here while changing a field is a type error.

import type { paths } from "./api-types";

// The one body of a request or response, whatever its exact media type
// string (the server says `application/json; charset=utf-8`).
type BodyOf<T> = T extends { content: infer C } ? C[keyof C] : never;
type PostBody<P extends keyof paths> = paths[P] extends { post: { requestBody?: infer B } }
  ? BodyOf<NonNullable<B>>
  : never;
type PostResponse<P extends keyof paths, Code extends number> = paths[P] extends {
  post: { responses: infer R };
}
  ? Code extends keyof R
    ? BodyOf<R[Code]>
    : never
  : never;

export type TokenPair = PostResponse<"/v1/auth/login", 200>;
export type Problem = BodyOf<paths["/v1/auth/login"]["post"]["responses"][422]>;

export type StartSessionRequest = PostBody<"/v1/sessions">;
export type SessionBundle = PostResponse<"/v1/sessions", 201>;
export type SessionTask = SessionBundle["tasks"][number];

export type AnswersRequest = PostBody<"/v1/answers">;
export type AnswerSubmission = AnswersRequest["answers"][number];
export type AnswersResponse = PostResponse<"/v1/answers", 200>;
export type AnswerResult = AnswersResponse["results"][number];
export type Feedback = NonNullable<AnswerResult["feedback"]>;

// ---- The answer schema the phone renders ----------------------------------
// Free-form JSON in the contract (each task kind has its own); these are the
// parts the renderer reads. See `KindSettings::answer_schema` on the server.

export interface FieldOption {
  value: string;
  label: string;
  description?: string;
}

export interface ChoiceField {
  name: string;
  type: "choice";
  label: string;
  required: boolean;
  options: FieldOption[];
}

export interface MultiChoiceField {
  name: string;
  type: "multi_choice";
  label: string;
  required: boolean;
  options: FieldOption[];
  min_selected?: number;
  max_selected?: number;
}

export interface TextField {
  name: string;
  type: "short_text";
  label: string;
  required: boolean;
  max_length?: number;
}

export type Field = ChoiceField | MultiChoiceField | TextField;

export interface AnswerSchema {
  kind?: string;
  instructions?: string;
  fields: Field[];
  // Observation verification: the form the observation was logged on,
  // used to label its values.
  form?: { fields: { name: string; label: string; unit?: string }[] };
}
