// The JSON bodies of the gateway's operations, read from schema.d.ts: the types
// openapi-typescript generates from the gateway's OpenAPI document (`make api-types`).
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

type Method = "get" | "put" | "post" | "delete";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : R extends { 202: infer A } ? A : never;

/** The JSON body `M path` takes. */
export type JsonRequest<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { "application/json": infer Body } } } ? NonNullable<Body> : never;

/** The JSON body `M path` answers with when it succeeds. */
export type JsonAnswer<P extends keyof paths, M extends Method> =
  Success<Operation<P, M>["responses"]> extends { content: { "application/json": infer Body } } ? Body : never;

/** One item of a list type. */
export type Item<T> = T extends readonly (infer I)[] ? I : never;
