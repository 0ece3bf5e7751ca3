// The route every benchmark case POSTs to; its own module so that the bare target loads nothing else.
export const LOOKUP_PATH = "/_matrix/identity/v2/lookup";
