//! Integration tests: one binary, split by concern. Every test starts its own reference server
//! in-process on 127.0.0.1:0 (or lets `verify` start the embedded one).

mod interop_js_client;
mod node;
mod server_cli;
mod server_cometd;
mod server_faults;
mod server_flows;
mod server_http;
mod server_interop_js;
mod server_seeds;
mod server_states;
mod server_wire;
mod support;
mod walking_skeleton;
