//! The C ABI (see `include/patron.h`): opaque handles, UTF-8 JSON strings in and out, error
//! objects, and nothing that unwinds across the boundary. Only marshalling lives here; the
//! rules stay in the library.
