/**
 * The form of a register entry's ID (XA-07, S000-13, TAX-01): apart from the register's
 * schema so that reading a model's citations does not build the register's zod schemas.
 */
export const REGISTER_ID_RE = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$/;
