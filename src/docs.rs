//! Registry-style documentation generated from the schemas' descriptions (issue 4).
