//! The built-in fault users: one per way a broken or hostile server can answer. They are
//! part of the demo directory (`<mode>@faults.contoso.com`), so every client of the
//! simulator can try them, and the engine's fault-matrix test runs every one.

use crate::directory::Answer;

/// One scripted fault.
#[derive(Debug, Clone)]
pub struct Fault {
    /// The user name that triggers it.
    pub user: &'static str,
    /// What the server does.
    pub answer: Answer,
    /// Seconds before answering.
    pub delay_seconds: f64,
    /// What the server does, in words (for the Markdown table).
    pub what: &'static str,
}

macro_rules! faults {
    ($($user:literal, $answer:expr, $delay:expr, $what:literal;)*) => {
        /// Every fault user, in the order of the matrix.
        pub const FAULTS: &[Fault] = &[$(Fault { user: $user, answer: $answer, delay_seconds: $delay, what: $what }),*];
    };
}

faults! {
    "delay@faults.contoso.com", Answer::Approve, 30.0, "approves, but only after 30 s";
    "trickle@faults.contoso.com", Answer::Trickle, 0.0, "an approving answer, one byte every 100 ms";
    "reset@faults.contoso.com", Answer::Reset, 0.0, "half an approving answer, then a connection reset";
    "truncated@faults.contoso.com", Answer::Malformed, 0.0, "the first half of an approving answer (HTTP 200)";
    "oversized@faults.contoso.com", Answer::Oversized, 0.0, "an approving answer padded past 4 MiB, chunked";
    "duplicated@faults.contoso.com", Answer::DuplicateOutParameters, 0.0, "`<Result>` true and false, CallResult 21";
    "namespace@faults.contoso.com", Answer::WrongNamespace, 0.0, "an approving answer in the namespace `…/PfWsSdk/`";
    "soapfault@faults.contoso.com", Answer::SoapFault, 0.0, "HTTP 500 with a SOAP fault";
    "http500@faults.contoso.com", Answer::HttpError, 0.0, "HTTP 500 with an IIS HTML page";
    "http503@faults.contoso.com", Answer::ServiceUnavailable, 0.0, "HTTP 503 with an HTML page";
    "http429@faults.contoso.com", Answer::TooManyRequests, 0.0, "HTTP 429 with `Retry-After`";
    "html@faults.contoso.com", Answer::HtmlPage, 0.0, "HTTP 200 with an HTML login page";
    "echo@faults.contoso.com", Answer::EchoHeaders, 0.0, "HTTP 500, an HTML page echoing the request headers";
    "echofault@faults.contoso.com", Answer::EchoFault, 0.0, "a SOAP fault whose faultstring echoes the request headers";
}
