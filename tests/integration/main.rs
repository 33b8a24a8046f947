//! Integration tests: one binary, split by concern. Every test starts its own reference server
//! in-process on 127.0.0.1:0 (or lets `verify` start the embedded one).

mod bayeux_client;
mod bayeux_fake;
mod bayeux_interop;
mod bayeux_reference;
mod hook_actors;
mod interop_js_client;
mod matching_diff;
mod matching_laws;
mod mutation;
mod node;
mod profile_cli;
mod reports;
mod runner_rehandshake;
mod runner_requests;
mod runner_streams;
mod safety_credentials;
mod safety_logins;
mod safety_redaction;
mod safety_support;
mod safety_timeout;
mod scenario_check;
mod scenario_errors;
mod scenario_schema;
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
mod transport_actor;
mod walking_skeleton;
