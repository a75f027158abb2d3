//! The credential cache of one client: the keys every request is signed with.
//!
//! Layers: the base keys of the [`CredentialSource`], and on top the assumed keys when an
//! [`AssumeRole`] is configured. Each temporary layer has a due time (`schedule`); a request
//! that finds a layer due refreshes it while holding the cache's lock, so that N concurrent
//! requests needing a refresh cause exactly one (the others wait for it and then use its keys,
//! or get its error). Under an assume_role only the assumed layer's due time counts: the base
//! keys only sign the assume call, so they are refreshed (when due) just before the role is
//! assumed again, never on their own schedule (a base that stays inside its refresh window,
//! such as an SSO profile KooCLI has not renewed, would otherwise make every recheck assume
//! again). A refresh that fails while the keys in use are still valid keeps them, is logged,
//! and is tried again after [`FAILED_REFRESH_RETRY`]: a blip of IAM or of the metadata service
//! during the refresh margin does not fail reads that still hold good keys. An HTTP 401 to
//! the published keys forces the next request to refresh the top layer
//! ([`CredentialCache::invalidate`], once per generation of keys).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::client_options::{ClientOptions, Credentials};
use crate::credential::answer::format_time;
use crate::credential::error::CredentialError;
use crate::credential::schedule::{is_due, next_refresh};
use crate::credential::{AssumeRole, CredentialSource, assume_role, ecs_metadata, profile};
use crate::deadline::Deadline;
use crate::endpoints::{self, BaseUrl, Service};
use crate::errors::{ClientOption, Error, OptionError, OptionProblem};
use crate::http::SignedHttp;
use crate::validate::redact_userinfo;

/// The keys to sign one attempt with.
pub(crate) struct CurrentKeys {
    pub credentials: Credentials,
    /// Whether a refresh can bring other keys (an HTTP 401 is then worth one retry).
    pub refreshable: bool,
    /// Which keys these are (raised by every refresh), for [`CredentialCache::invalidate`].
    pub generation: u64,
}

impl CurrentKeys {
    /// Keys the caller chose, outside the cache.
    pub(crate) fn fixed(credentials: Credentials) -> Arc<CurrentKeys> {
        Arc::new(CurrentKeys {
            credentials,
            refreshable: false,
            generation: 0,
        })
    }
}

/// How long keys that are still valid are kept after a failed refresh before the next try
/// (never past their expiry).
pub(crate) const FAILED_REFRESH_RETRY: std::time::Duration = std::time::Duration::from_secs(10);

/// Keys this close to their expiry are not kept after a failed refresh: a request signed with
/// them could arrive after they expired.
const KEEP_AFTER_FAILURE_MARGIN: time::Duration = time::Duration::seconds(2);

/// A clock, injectable so tests can move time.
pub(crate) type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// Keys of one layer and when they are due (`None`: never).
struct Layer {
    credentials: Credentials,
    due: Option<OffsetDateTime>,
    /// When the keys stop working (`None`: permanent keys).
    expires_at: Option<OffsetDateTime>,
}

impl Layer {
    fn is_due(&self, now: OffsetDateTime) -> bool {
        self.due.is_some_and(|due| is_due(now, due))
    }
}

#[derive(Default)]
struct State {
    base: Option<Layer>,
    assumed: Option<Layer>,
    current: Option<Arc<CurrentKeys>>,
    generation: u64,
    /// The error of the last refresh and the number it had, for the requests that waited for it.
    failure: Option<(u64, CredentialError)>,
}

pub(crate) struct CredentialCache {
    source: CredentialSource,
    assume_role: Option<AssumeRole>,
    /// The IAM endpoint override and cloud, for assume_role.
    iam_override: Option<String>,
    cloud: String,
    /// The client for the metadata service, built only when that source is chosen.
    metadata_http: Option<reqwest::Client>,
    clock: Clock,
    state: tokio::sync::Mutex<State>,
    /// Refreshes finished (successful or not), read before waiting for the lock.
    refreshes_finished: AtomicU64,
    /// The generation a 401 was answered to: the next request refreshes those keys.
    invalidated: AtomicU64,
}

impl CredentialCache {
    pub(crate) fn new(options: &ClientOptions) -> Result<CredentialCache, Error> {
        Self::with_clock(options, Arc::new(OffsetDateTime::now_utc))
    }

    pub(crate) fn with_clock(
        options: &ClientOptions,
        clock: Clock,
    ) -> Result<CredentialCache, Error> {
        let metadata_http = match &options.credentials {
            CredentialSource::EcsMetadata(_) => {
                Some(ecs_metadata::http_client(&options.user_agent).map_err(Error::HttpClient)?)
            }
            _ => None,
        };
        Ok(CredentialCache {
            source: options.credentials.clone(),
            assume_role: options.assume_role.clone(),
            iam_override: options.endpoints.iam.clone(),
            cloud: options.cloud.clone(),
            metadata_http,
            clock,
            state: tokio::sync::Mutex::new(State::default()),
            refreshes_finished: AtomicU64::new(0),
            invalidated: AtomicU64::new(0),
        })
    }

    /// Marks the keys of `generation` as refused (HTTP 401): the next request refreshes them.
    /// Keys already replaced are left alone, so that N requests refused together cause one
    /// refresh.
    pub(crate) fn invalidate(&self, generation: u64) {
        // The highest refused generation wins: a late 401 to older keys never hides a refusal
        // of the current ones.
        self.invalidated.fetch_max(generation, Ordering::AcqRel);
    }

    /// The keys to sign with now, refreshed first when they are due. `region` picks the IAM
    /// endpoint for an assume_role (assumed keys are valid in every region).
    pub(crate) async fn current(
        &self,
        http: &SignedHttp,
        region: &str,
        deadline: Option<Deadline>,
        cancel: &CancellationToken,
    ) -> Result<Arc<CurrentKeys>, Error> {
        let seen = self.refreshes_finished.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        let now = (self.clock)();
        if let Some(current) = &state.current
            && !self.needs_refresh(&state, current, now)
        {
            return Ok(Arc::clone(current));
        }
        // A refresh finished while we waited, and failed: its error is ours too (no second
        // request to a source that just failed).
        if let Some((number, error)) = &state.failure
            && *number > seen
        {
            return Err(Error::Credentials(Box::new(error.clone())));
        }
        let result = self
            .refresh(&mut state, http, region, deadline, now, cancel)
            .await;
        let number = self.refreshes_finished.fetch_add(1, Ordering::AcqRel) + 1;
        match result {
            Ok(keys) => {
                state.failure = None;
                Ok(keys)
            }
            Err(Error::Credentials(error)) => {
                if let Some(kept) = self.keep_after_failure(&mut state, now) {
                    debug!(
                        error = %error,
                        retry_in_s = FAILED_REFRESH_RETRY.as_secs(),
                        "refreshing the credentials failed; the current ones are still valid"
                    );
                    return Ok(kept);
                }
                state.failure = Some((number, (*error).clone()));
                Err(Error::Credentials(error))
            }
            // Cancelled, deadline: nothing learnt about the source; the next request tries.
            Err(other) => Err(other),
        }
    }

    fn is_refused(&self, current: &CurrentKeys) -> bool {
        current.refreshable && self.invalidated.load(Ordering::Acquire) == current.generation
    }

    /// The layer whose keys sign requests: the assumed one under an assume_role, else the base.
    fn top_layer<'s>(&self, state: &'s mut State) -> Option<&'s mut Layer> {
        if self.assume_role.is_some() {
            state.assumed.as_mut()
        } else {
            state.base.as_mut()
        }
    }

    fn needs_refresh(&self, state: &State, current: &CurrentKeys, now: OffsetDateTime) -> bool {
        let top = if self.assume_role.is_some() {
            &state.assumed
        } else {
            &state.base
        };
        self.is_refused(current) || top.as_ref().is_none_or(|layer| layer.is_due(now))
    }

    /// After a failed refresh: the keys in use, when they are neither refused nor about to
    /// expire, with the next try postponed by [`FAILED_REFRESH_RETRY`].
    fn keep_after_failure(
        &self,
        state: &mut State,
        now: OffsetDateTime,
    ) -> Option<Arc<CurrentKeys>> {
        let current = state.current.clone()?;
        if self.is_refused(&current) {
            return None;
        }
        let layer = self.top_layer(state)?;
        let expires_at = layer.expires_at?;
        if expires_at - KEEP_AFTER_FAILURE_MARGIN <= now {
            return None;
        }
        let retry = time::Duration::try_from(FAILED_REFRESH_RETRY).unwrap_or(time::Duration::ZERO);
        layer.due = Some((now + retry).min(expires_at - KEEP_AFTER_FAILURE_MARGIN));
        Some(current)
    }

    async fn refresh(
        &self,
        state: &mut State,
        http: &SignedHttp,
        region: &str,
        deadline: Option<Deadline>,
        now: OffsetDateTime,
        cancel: &CancellationToken,
    ) -> Result<Arc<CurrentKeys>, Error> {
        let refused = state
            .current
            .as_ref()
            .is_some_and(|current| self.is_refused(current));
        let mut base_fresh = false;
        // Refused keys without assume_role are the base's own.
        if state.base.as_ref().is_none_or(|base| base.is_due(now))
            || (refused && self.assume_role.is_none())
        {
            state.base = Some(self.fetch_base(now).await?);
            base_fresh = true;
        }
        if let Some(assume) = &self.assume_role {
            let (iam, endpoint) = self.iam_base(region)?;
            let base = state
                .base
                .as_ref()
                .map(|b| b.credentials.clone())
                .unwrap_or_default();
            let assumed = match assume_role::assume(
                http,
                &iam,
                &endpoint,
                region,
                assume,
                &base,
                deadline,
                &*self.clock,
                cancel,
            )
            .await
            {
                // IAM refused base keys that a refresh may renew: renew them, assume once more.
                Err(error)
                    if assume_role::is_unauthorized(&error)
                        && !base_fresh
                        && self.base_is_refreshable() =>
                {
                    debug!("IAM refused the base credentials: refreshing them and assuming again");
                    let base = self.fetch_base((self.clock)()).await?;
                    let keys = base.credentials.clone();
                    state.base = Some(base);
                    assume_role::assume(
                        http,
                        &iam,
                        &endpoint,
                        region,
                        assume,
                        &keys,
                        deadline,
                        &*self.clock,
                        cancel,
                    )
                    .await?
                }
                other => other?,
            };
            let obtained = (self.clock)();
            debug!(
                agency = %assume.agency_name,
                expires_at = %format_time(assumed.expires_at),
                "assumed temporary credentials"
            );
            state.assumed = Some(Layer {
                credentials: assumed.credentials,
                due: Some(next_refresh(obtained, assumed.expires_at)),
                expires_at: Some(assumed.expires_at),
            });
        }
        state.generation += 1;
        let (top, refreshable) = match &state.assumed {
            Some(assumed) => (assumed, true),
            None => {
                let base = state
                    .base
                    .as_ref()
                    .ok_or_else(|| Error::InvalidArgument("no credentials were obtained".into()))?;
                (base, base.due.is_some())
            }
        };
        let keys = Arc::new(CurrentKeys {
            credentials: top.credentials.clone(),
            refreshable,
            generation: state.generation,
        });
        state.current = Some(Arc::clone(&keys));
        Ok(keys)
    }

    fn base_is_refreshable(&self) -> bool {
        !matches!(self.source, CredentialSource::Static(_))
    }

    /// The base keys from the source, at `now`.
    async fn fetch_base(&self, now: OffsetDateTime) -> Result<Layer, Error> {
        let wrap = |error: CredentialError| Error::Credentials(Box::new(error));
        match &self.source {
            CredentialSource::Static(credentials) => Ok(Layer {
                credentials: credentials.clone(),
                due: None,
                expires_at: None,
            }),
            CredentialSource::Profile(source) => {
                let keys = profile::read(source, now).await.map_err(wrap)?;
                debug!(
                    path = %source.path.display(),
                    expires_at = keys.expires_at.map(format_time).as_deref(),
                    "read credentials from the profile file"
                );
                Ok(Layer {
                    credentials: keys.credentials,
                    due: keys.expires_at.map(|expires| next_refresh(now, expires)),
                    expires_at: keys.expires_at,
                })
            }
            CredentialSource::EcsMetadata(metadata) => {
                let client = self.metadata_http.as_ref().ok_or_else(|| {
                    Error::InvalidArgument("the metadata client was not built".into())
                })?;
                let keys = ecs_metadata::fetch(client, &metadata.endpoint, &*self.clock)
                    .await
                    .map_err(wrap)?;
                let obtained = (self.clock)();
                debug!(
                    endpoint = %metadata.endpoint,
                    expires_at = %format_time(keys.expires_at),
                    "obtained credentials from the ECS metadata service"
                );
                Ok(Layer {
                    credentials: keys.credentials,
                    due: Some(next_refresh(obtained, keys.expires_at)),
                    expires_at: Some(keys.expires_at),
                })
            }
        }
    }

    /// IAM's base URL for `region` (the override, else `https://iam.{region}.{cloud}`).
    fn iam_base(&self, region: &str) -> Result<(BaseUrl, String), Error> {
        let endpoint = endpoints::base_url_string(
            Service::Iam,
            self.iam_override.as_deref(),
            region,
            &self.cloud,
        );
        let base = BaseUrl::parse(&endpoint).map_err(|reason| {
            OptionError::new(
                ClientOption::Endpoint(Service::Iam),
                OptionProblem::UnusableUrl {
                    url: redact_userinfo(&endpoint),
                    reason,
                },
            )
        })?;
        Ok((base, endpoint))
    }
}
