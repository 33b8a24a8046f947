//! Integration tests: one binary, split by concern. Every test starts its own reference server
//! in-process on 127.0.0.1:0 (or lets `verify` start the embedded one).

mod bayeux_client;
mod bayeux_fake;
mod bayeux_interop;
mod bayeux_reference;
mod interop_js_client;
mod node;
mod profile_cli;
mod support;
mod transport_actor;
mod walking_skeleton;
