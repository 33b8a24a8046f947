//! Request bodies and GWS error replies: every failure a client can cause gets a JSON
//! `{statusCode, statusMessage}` body, including the ones axum would answer in plain text
//! (body too large, unknown route, wrong method).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The GWS error body with an HTTP status.
pub(crate) fn gws_error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"statusCode": code, "statusMessage": message})),
    )
        .into_response()
}

/// A request the server refuses, rendered as a GWS error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GwsError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
}

impl IntoResponse for GwsError {
    fn into_response(self) -> Response {
        gws_error(self.status, self.code, &self.message)
    }
}

/// The body, or the error: 413 with statusCode 10 when it exceeds the limit.
pub(crate) fn read(body: Result<Bytes, BytesRejection>) -> Result<Bytes, GwsError> {
    body.map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "Request body is larger than the server accepts".to_owned()
        } else {
            format!("Cannot read the request body: {}", rejection.body_text())
        };
        GwsError {
            status,
            code: 10,
            message,
        }
    })
}

/// The body as a JSON object, or the error (400, statusCode 10).
pub(crate) fn json_object(bytes: &[u8]) -> Result<Value, GwsError> {
    let invalid = |message: String| GwsError {
        status: StatusCode::BAD_REQUEST,
        code: 10,
        message,
    };
    match serde_json::from_slice(bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(invalid("Request body must be a JSON object".to_owned())),
        Err(e) => Err(invalid(format!("Request body is not valid JSON: {e}"))),
    }
}

/// Unknown routes: 404, statusCode 6.
pub(crate) async fn not_found() -> Response {
    gws_error(StatusCode::NOT_FOUND, 6, "Resource not found")
}

/// Known routes with the wrong method: 405, statusCode 10.
pub(crate) async fn method_not_allowed() -> Response {
    gws_error(
        StatusCode::METHOD_NOT_ALLOWED,
        10,
        "HTTP method not supported for this resource",
    )
}
