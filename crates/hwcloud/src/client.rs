//! The public [`Client`]: configuration, endpoint resolution and the per-region project cache
//! (seeded with the configured project ids; other regions are looked up from IAM once).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

use crate::client_options::ClientOptions;
use crate::deadline::{self, CallOptions, Deadline};
use crate::endpoints::{self, BaseUrl, Service};
use crate::errors::{
    ClientOption, DeadlineError, Error, OptionError, OptionProblem, RequestDescription,
};
use crate::http::SignedHttp;
use crate::iam;
use crate::offsite_backups::{
    self, OffsiteBackup, OffsiteBackupList, OffsiteBackupListing, OffsiteBackupQuery,
};
use crate::offsite_instances::{self, OffsiteInstance, OffsiteInstanceListing};
use crate::offsite_policy::{self, OffsiteBackupPolicies};
use crate::offsite_restore_times::{self, OffsiteRestoreTimeQuery, OffsiteRestoreTimes};
use crate::validate::{redact_userinfo, validate_region};

/// Huawei Cloud RDS client. Cheap to clone: clones share the HTTP connection pool and the
/// project id cache.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    options: ClientOptions,
    http: SignedHttp,
    /// Project id per region: the configured ones from the start, the others looked up at most
    /// once per region (concurrent first callers of a region wait for the same lookup); a
    /// failed lookup is retried by the next call.
    projects: Mutex<HashMap<String, Arc<OnceCell<String>>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Validates `options` and builds the HTTP client (no network traffic yet).
    pub fn new(options: ClientOptions) -> Result<Client, Error> {
        options.validate()?;
        if let Some(rds) = &options.endpoints.rds {
            endpoints::validate_override(Service::Rds, rds)?;
        }
        if let Some(iam) = &options.endpoints.iam {
            endpoints::validate_override(Service::Iam, iam)?;
        }
        let http = SignedHttp::new(&options)?;
        let projects = options
            .project_ids
            .iter()
            .map(|(region, id)| {
                let known = OnceCell::new_with(Some(id.clone()));
                (region.clone(), Arc::new(known))
            })
            .collect();
        Ok(Client {
            inner: Arc::new(Inner {
                options,
                http,
                projects: Mutex::new(projects),
            }),
        })
    }

    /// `https://rds.{region}.{cloud}`, or the configured `endpoints.rds`.
    pub fn rds_endpoint(&self, region: &str) -> String {
        self.endpoint(Service::Rds, region)
    }

    /// `https://iam.{region}.{cloud}`, or the configured `endpoints.iam`.
    pub fn iam_endpoint(&self, region: &str) -> String {
        self.endpoint(Service::Iam, region)
    }

    /// The project id configured for `region`, else the one IAM reports for it (looked up once
    /// per region and cached; concurrent first callers share one lookup).
    pub async fn project_id(
        &self,
        region: &str,
        cancel: &CancellationToken,
    ) -> Result<String, Error> {
        self.project_id_counting(region, &AtomicU32::new(0), None, cancel)
            .await
    }

    /// Lists the cross-region backups of one instance stored in `region`.
    pub async fn list_offsite_backups(
        &self,
        region: &str,
        query: &OffsiteBackupQuery,
        cancel: &CancellationToken,
    ) -> Result<OffsiteBackupList, Error> {
        self.list_offsite_backups_with(region, query, &CallOptions::default(), cancel)
            .await
    }

    /// [`Client::list_offsite_backups`] with `options`: with a `timeout`, the whole list
    /// (project lookup, every page, retries and waits) ends with
    /// [`Error::DeadlineExceeded`] once it passes.
    pub async fn list_offsite_backups_with(
        &self,
        region: &str,
        query: &OffsiteBackupQuery,
        options: &CallOptions,
        cancel: &CancellationToken,
    ) -> Result<OffsiteBackupList, Error> {
        let deadline = Deadline::from_options(options);
        offsite_backups::list(self, region, query, deadline, cancel).await
    }

    /// Lists the cross-region backups of one instance stored in `region`, handing each backup
    /// to `each` in API order (each id once) instead of collecting them: memory stays bounded
    /// by the pages in flight. `each` returning `Break` ends the read early. `options` as in
    /// [`Client::list_offsite_backups_with`].
    pub async fn for_each_offsite_backup<F>(
        &self,
        region: &str,
        query: &OffsiteBackupQuery,
        options: &CallOptions,
        cancel: &CancellationToken,
        each: F,
    ) -> Result<OffsiteBackupListing, Error>
    where
        F: FnMut(OffsiteBackup) -> std::ops::ControlFlow<()>,
    {
        let deadline = Deadline::from_options(options);
        offsite_backups::list_each(self, region, query, deadline, cancel, each).await
    }

    /// Reads the time ranges `query.instance_id` can be restored to from its cross-region
    /// backups stored in `region` (`ListOffSiteRestoreTimes`), in API order. `options` as in
    /// [`Client::list_offsite_backups_with`].
    pub async fn list_offsite_restore_times(
        &self,
        region: &str,
        query: &OffsiteRestoreTimeQuery,
        options: &CallOptions,
        cancel: &CancellationToken,
    ) -> Result<OffsiteRestoreTimes, Error> {
        let deadline = Deadline::from_options(options);
        offsite_restore_times::list(self, region, query, deadline, cancel).await
    }

    /// Reads the cross-region backup policy of `instance_id` in `region`, which must be the
    /// instance's own (source) region; `options` as in [`Client::list_offsite_backups_with`].
    /// An instance the region does not know is an [`Error::Api`] of kind
    /// [`crate::ErrorKind::InstanceNotFound`].
    pub async fn offsite_backup_policy(
        &self,
        region: &str,
        instance_id: &str,
        options: &CallOptions,
        cancel: &CancellationToken,
    ) -> Result<OffsiteBackupPolicies, Error> {
        let deadline = Deadline::from_options(options);
        offsite_policy::show(self, region, instance_id, deadline, cancel).await
    }

    /// Lists the instances that have cross-region backups in `region` (`ListOffSiteInstances`,
    /// project in the `X-Project-Id` header), handing each to `each` in API order (each id
    /// once); `each` returning `Break` ends the read early. `options` as in
    /// [`Client::list_offsite_backups_with`].
    pub async fn for_each_offsite_instance<F>(
        &self,
        region: &str,
        options: &CallOptions,
        cancel: &CancellationToken,
        each: F,
    ) -> Result<OffsiteInstanceListing, Error>
    where
        F: FnMut(OffsiteInstance) -> std::ops::ControlFlow<()>,
    {
        let deadline = Deadline::from_options(options);
        offsite_instances::list_each(self, region, deadline, cancel, each).await
    }

    pub(crate) fn http(&self) -> &SignedHttp {
        &self.inner.http
    }

    pub(crate) fn max_concurrent_requests(&self) -> usize {
        self.inner.options.max_concurrent_requests
    }

    fn endpoint(&self, service: Service, region: &str) -> String {
        let options = &self.inner.options;
        let override_url = match service {
            Service::Rds => options.endpoints.rds.as_deref(),
            Service::Iam => options.endpoints.iam.as_deref(),
        };
        endpoints::base_url_string(service, override_url, region, &options.cloud)
    }

    /// Parsed base URL of `service` in `region`, and its string form for messages.
    pub(crate) fn base_url(
        &self,
        service: Service,
        region: &str,
    ) -> Result<(BaseUrl, String), Error> {
        validate_region(region).map_err(Error::InvalidArgument)?;
        let endpoint = self.endpoint(service, region);
        let base = BaseUrl::parse(&endpoint).map_err(|reason| {
            let url = redact_userinfo(&endpoint);
            OptionError::new(
                ClientOption::Endpoint(service),
                OptionProblem::UnusableUrl { url, reason },
            )
        })?;
        Ok((base, endpoint))
    }

    /// [`Client::project_id`], counting the HTTP attempts of a lookup into `attempts`.
    pub(crate) async fn project_id_counting(
        &self,
        region: &str,
        attempts: &AtomicU32,
        deadline: Option<Deadline>,
        cancel: &CancellationToken,
    ) -> Result<String, Error> {
        let (base, endpoint) = self.base_url(Service::Iam, region)?;
        let cell = {
            // A poisoned lock only means another thread panicked while inserting; the map is
            // still usable.
            let mut projects = self
                .inner
                .projects
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(projects.entry(region.to_owned()).or_default())
        };
        if let Some(known) = cell.get() {
            return Ok(known.clone());
        }
        // A sub-project is looked up by its own name; by default the region's project.
        let name = self
            .inner
            .options
            .project_names
            .get(region)
            .map_or(region, String::as_str);
        // Waiting for another caller's lookup of the same region must also honour our token.
        let lookup = cell.get_or_try_init(|| {
            iam::lookup_project_id(
                &self.inner.http,
                &base,
                &endpoint,
                region,
                name,
                attempts,
                deadline,
                cancel,
            )
        });
        // ... and our own deadline: another caller's lookup runs under that caller's limit.
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(Error::Cancelled),
            () = deadline::passed(deadline) => Err(Error::DeadlineExceeded(Box::new(DeadlineError {
                request: RequestDescription {
                    method: "GET".into(),
                    endpoint: endpoint.clone(),
                    path: iam::PROJECTS_PATH.into(),
                    offset: None,
                },
                attempts: attempts.load(Ordering::Relaxed),
                limit: deadline.map(|d| d.limit).unwrap_or_default(),
                last_outcome: None,
            }))),
            project_id = lookup => project_id.cloned(),
        }
    }
}
