//! Huawei Cloud API client for RDS cross-region ("offsite") backups.
//!
//! Knows nothing about Terraform: endpoints, AK/SK signing, HTTP with retries, paging and error
//! decoding only.

pub mod signing;
