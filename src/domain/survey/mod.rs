//! Satisfaction surveys, as pure logic: the versioned definition format and its checks
//! ([`definition`]), the surveys built in ([`builtin`]), taking one with skip logic and
//! back ([`flow`]), the comment rules ([`comment`]) and the arithmetic staff see
//! ([`scores`]).
pub mod builtin;
pub mod comment;
pub mod definition;
pub mod flow;
pub mod scores;
