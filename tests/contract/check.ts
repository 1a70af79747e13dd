// Type-level helpers for the generated checks in generated/*.ts (see record.mjs).
//
// Every recorded property is checked on its own line, so that tsc reports every difference in
// one run: inside a single assignment it stops at the first incompatible property. Each check
// carries its case and path as a property name, so a plain (non-pretty) tsc error says which
// flow, object and property it is about.

/** The branches of `T` (a union, say `string | Stripe.Customer`) that declare `K`. */
type Declaring<T, K extends PropertyKey> = T extends object ? (K extends keyof T ? T[K] : never) : never;

/**
 * The declared type of property `K` of `T`, or `unknown` when no branch of `T` declares it:
 * a property the declarations do not know (a preview field in a GA type) is allowed as it is,
 * as when a response is assigned through a non-literal.
 */
export type Prop<T, K extends PropertyKey> = unknown extends T
  ? unknown
  : [Declaring<T, K>] extends [never]
    ? unknown
    : Declaring<T, K>;

/** The type an object (or array) found at a slot declared as `D` is checked against. */
export type Child<D> = NonNullable<D>;

/** Recorded: an object. Passes when the slot admits an object; its own checks follow. */
export type AnObject<D> = unknown extends D ? D : [Extract<D, object>] extends [never] ? object : D;

/** Recorded: an array with objects in it. Passes when the slot admits an array. */
export type AnArray<D> = unknown extends D
  ? D
  : [Extract<D, readonly unknown[]>] extends [never]
    ? unknown[]
    : D;

/** The keys `T` declares without `?`. */
type RequiredKeys<T> = T extends object
  ? { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T]
  : never;

/** One message per property that `T` requires and the recorded object (keys `Present`) lacks. */
export type Missing<Case extends string, T, Present extends PropertyKey> =
  `${Case}: required property '${Exclude<RequiredKeys<T>, Present> & string}' is missing`;

/**
 * tsc's weak type check, which a non-literal assignment still makes: an object declared with
 * only optional properties (say `status_details: {active?}`) must share at least one of them
 * with what was recorded (`{inactive: …}` shares none). `Recorded` lists the recorded keys.
 */
export type NoneInCommon<Case extends string, T, Present extends PropertyKey, Recorded extends string> = [
  T,
] extends [object]
  ? string extends keyof T
    ? never
    : [RequiredKeys<T>] extends [never]
      ? [keyof T] extends [never]
        ? never
        : [Present] extends [never]
          ? never
          : [Extract<keyof T, Present>] extends [never]
            ? `${Case}: declares none of the recorded properties (${Recorded}), all of its own are optional`
            : never
      : never
  : never;

/** A value at a named place: `{"<case> .<path>": V}`. */
export type Field<Path extends string, V> = { [K in Path]: V };

/** For an event's `type`: whether the recorded type is in Stripe's event catalog. */
export type InCatalog<Type extends string, Catalog extends string> = Type extends Catalog
  ? 'in the Event.Type catalog'
  : `'${Type}' is not in the Event.Type catalog`;
