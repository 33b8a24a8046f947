//! Infrastructure errors: the target, the network, the machine or an output that cannot be
//! used (exit 3). Each names the URL, address or file concerned.

use std::net::SocketAddr;

/// Why a command could not do its work, through no fault of its input.
#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The target did not answer at all.
    #[error("cannot reach target {url}: {cause}")]
    Unreachable {
        /// The target.
        url: String,
        /// The innermost cause.
        cause: String,
    },
    /// An HTTP client could not be built.
    #[error("cannot build HTTP client: {0}")]
    Client(String),
    /// A server could not listen.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Output could not be written or serialised.
    #[error("cannot write the {what}: {reason}")]
    Output {
        /// What was being written.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The recording proxy could not start.
    #[error(transparent)]
    Proxy(#[from] crate::proxy::ProxyError),
    /// A recording could not be written.
    #[error(transparent)]
    Recording(crate::proxy::RecordError),
    /// Reference pages could not be read or written.
    #[error(transparent)]
    Docs(#[from] crate::report::docs::DocsError),
    /// The goldens to replay could not be read.
    #[error(transparent)]
    Replay(crate::server::LibraryError),
}
