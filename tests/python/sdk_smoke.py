"""Lists offsite backups from the API simulator with the official Huawei Cloud Python SDK.

An independent client of the real API: if it can list backups from the simulator, the
simulator speaks the same protocol (signing, query encoding, response shape).

Environment: SIM_ENDPOINT (http://127.0.0.1:PORT), SIM_AK, SIM_SK, SIM_PROJECT_ID,
SIM_INSTANCE_ID, SIM_REGION (informational), optional SIM_BEGIN_TIME / SIM_END_TIME (API
format with +0800; defaults cover 2026).

Prints {"total_count": N, "ids": [...]} (all pages, offset/limit 100) on stdout and exits 0;
prints the SDK error on stderr and exits 1 on failure.

With SIM_CALL=restore_times it reads ListOffSiteRestoreTimes of SIM_INSTANCE_ID instead, without
a date and with SIM_DATE (yyyy-mm-dd), and prints {"all": [[start, end], ...], "on_date": [...]}.

With SIM_CALL=offsite_policy it reads ShowOffSiteBackupPolicy of SIM_INSTANCE_ID instead
(SIM_PROJECT_ID must then be the project of the instance's source region) and prints
{"policy_para": [...]}.

With SIM_CALL=offsite_instances it reads every page of ListOffSiteInstances instead and prints
{"total_count": N, "ids": [...], "first": {...}}.

With SIM_CALL=assume_role it calls IAM's CreateTemporaryAccessKeyByAgency (huaweicloudsdkiam)
with SIM_AK/SIM_SK for SIM_AGENCY_NAME of SIM_AGENCY_DOMAIN_NAME (SIM_DURATION seconds), lists
one page of SIM_INSTANCE_ID's backups with the temporary keys (BasicCredentials with the
security token), assumes SIM_UNKNOWN_AGENCY too, and prints {"access", "expires_at",
"total_count", "unknown_agency": {"status", "error_code"}}.

With SIM_CALL=metadata it reads the ECS metadata credentials with the core SDK's own
MetadataAccessor, its endpoint pointed at SIM_ENDPOINT (never 169.254.169.254), lists one page
with them, and prints {"access", "total_count"}.
"""

import json
import os
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkrds.v3 import (
    ListOffSiteBackupsRequest,
    ListOffSiteInstancesRequest,
    ListOffSiteRestoreTimesRequest,
    RdsClient,
    ShowOffSiteBackupPolicyRequest,
)

PAGE_SIZE = 100


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        sys.exit(f"sdk_smoke: environment variable {name} is required")
    return value


def restore_times(client, instance_id):
    """ListOffSiteRestoreTimes without and with a date: each window as [start_ms, end_ms]."""

    def windows(request):
        response = client.list_off_site_restore_times(request)
        result = []
        for window in response.restore_time or []:
            start, end = window.start_time, window.end_time
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end):
                sys.exit(f"sdk_smoke: not a restore window: {window}")
            result.append([start, end])
        return result

    everything = windows(ListOffSiteRestoreTimesRequest(instance_id=instance_id))
    on_date = windows(
        ListOffSiteRestoreTimesRequest(instance_id=instance_id, date=env("SIM_DATE"))
    )
    return {"all": everything, "on_date": on_date}


def main():
    endpoint = env("SIM_ENDPOINT")
    instance_id = env("SIM_INSTANCE_ID")
    begin_time = env("SIM_BEGIN_TIME", "2026-01-01T00:00:00+0800")
    end_time = env("SIM_END_TIME", "2026-12-31T23:59:59+0800")
    credentials = BasicCredentials(env("SIM_AK"), env("SIM_SK"), env("SIM_PROJECT_ID"))

    http_config = HttpConfig.get_default_config()
    http_config.ignore_ssl_verification = True
    client = (
        RdsClient.new_builder()
        .with_http_config(http_config)
        .with_credentials(credentials)
        .with_endpoints([endpoint])
        .build()
    )

    if os.environ.get("SIM_CALL") == "restore_times":
        print(json.dumps(restore_times(client, instance_id)))
        return

    ids = []
    total_count = None
    offset = 0
    while True:
        request = ListOffSiteBackupsRequest(
            instance_id=instance_id,
            backup_type="auto",
            begin_time=begin_time,
            end_time=end_time,
            limit=PAGE_SIZE,
            offset=offset,
        )
        response = client.list_off_site_backups(request)
        total_count = response.total_count
        page = response.backups or []
        ids.extend(backup.id for backup in page)
        offset += len(page)
        if not page or offset >= total_count:
            break

    print(json.dumps({"total_count": total_count, "ids": ids}))


def sdk_client():
    """An RdsClient for the simulator, the project id sent as X-Project-Id."""
    credentials = BasicCredentials(env("SIM_AK"), env("SIM_SK"), env("SIM_PROJECT_ID"))
    http_config = HttpConfig.get_default_config()
    http_config.ignore_ssl_verification = True
    return (
        RdsClient.new_builder()
        .with_http_config(http_config)
        .with_credentials(credentials)
        .with_endpoints([env("SIM_ENDPOINT")])
        .build()
    )


def offsite_instances():
    """ListOffSiteInstances, every page: the count, the ids and the first instance whole."""
    client = sdk_client()
    instances = []
    total_count = None
    offset = 0
    while True:
        response = client.list_off_site_instances(
            ListOffSiteInstancesRequest(offset=offset, limit=PAGE_SIZE)
        )
        total_count = response.total_count
        page = response.offsite_backup_instances or []
        instances.extend(page)
        offset += len(page)
        if not page or offset >= total_count:
            break
    if total_count != len(instances):
        sys.exit(f"sdk_smoke: total_count {total_count} but {len(instances)} instances")
    first = None
    if instances:
        item = instances[0]
        first = {
            "id": item.id,
            "name": item.name,
            "source_region": item.source_region,
            "source_project_id": item.source_project_id,
            "datastore": {"type": item.datastore.type, "version": item.datastore.version},
            "destination_region": item.destination_region,
            "destination_project_id": item.destination_project_id,
            "keep_days": item.keep_days,
        }
    return {"total_count": total_count, "ids": [item.id for item in instances], "first": first}


def offsite_policy():
    """ShowOffSiteBackupPolicy of SIM_INSTANCE_ID, with a client for the source region's
    project (SIM_PROJECT_ID): prints the SDK's decoded policy_para."""
    credentials = BasicCredentials(env("SIM_AK"), env("SIM_SK"), env("SIM_PROJECT_ID"))
    http_config = HttpConfig.get_default_config()
    client = (
        RdsClient.new_builder()
        .with_http_config(http_config)
        .with_credentials(credentials)
        .with_endpoints([env("SIM_ENDPOINT")])
        .build()
    )
    request = ShowOffSiteBackupPolicyRequest(instance_id=env("SIM_INSTANCE_ID"))
    response = client.show_off_site_backup_policy(request)
    policies = [policy.to_dict() for policy in response.policy_para or []]
    print(json.dumps({"policy_para": policies}))


def list_one_page(access, secret, security_token):
    """ListOffSiteBackups (one backup) signed with temporary keys: the total count."""
    credentials = BasicCredentials(access, secret, env("SIM_PROJECT_ID")).with_security_token(
        security_token
    )
    client = (
        RdsClient.new_builder()
        .with_http_config(HttpConfig.get_default_config())
        .with_credentials(credentials)
        .with_endpoints([env("SIM_ENDPOINT")])
        .build()
    )
    response = client.list_off_site_backups(
        ListOffSiteBackupsRequest(
            instance_id=env("SIM_INSTANCE_ID"), backup_type="auto", limit=1, offset=0
        )
    )
    return response.total_count


def assume_role():
    """CreateTemporaryAccessKeyByAgency, the keys used, and an unknown agency's error."""
    from huaweicloudsdkcore.auth.credentials import GlobalCredentials
    from huaweicloudsdkiam.v3 import (
        AgencyAuth,
        AgencyAuthIdentity,
        CreateTemporaryAccessKeyByAgencyRequest,
        CreateTemporaryAccessKeyByAgencyRequestBody,
        IamClient,
        IdentityAssumerole,
    )

    # With a domain id given, GlobalCredentials looks nothing up before the call.
    credentials = GlobalCredentials(env("SIM_AK"), env("SIM_SK"), env("SIM_DOMAIN_ID"))
    client = (
        IamClient.new_builder()
        .with_http_config(HttpConfig.get_default_config())
        .with_credentials(credentials)
        .with_endpoints([env("SIM_ENDPOINT")])
        .build()
    )

    def request(agency_name):
        assume = IdentityAssumerole(
            agency_name=agency_name,
            domain_name=env("SIM_AGENCY_DOMAIN_NAME"),
            duration_seconds=int(env("SIM_DURATION")),
        )
        body = CreateTemporaryAccessKeyByAgencyRequestBody(
            auth=AgencyAuth(
                identity=AgencyAuthIdentity(methods=["assume_role"], assume_role=assume)
            )
        )
        return client.create_temporary_access_key_by_agency(
            CreateTemporaryAccessKeyByAgencyRequest(body=body)
        )

    credential = request(env("SIM_AGENCY_NAME")).credential
    total_count = list_one_page(credential.access, credential.secret, credential.securitytoken)
    try:
        request(env("SIM_UNKNOWN_AGENCY"))
        unknown = None
    except exceptions.ClientRequestException as error:
        unknown = {"status": error.status_code, "error_code": error.error_code}
    return {
        "access": credential.access,
        "expires_at": credential.expires_at,
        "total_count": total_count,
        "unknown_agency": unknown,
    }


def metadata():
    """The core SDK's MetadataAccessor against the simulator, and the keys it gets used."""
    from huaweicloudsdkcore.auth.internal import MetadataAccessor

    # The accessor's endpoint is a class constant; point it at the simulator.
    MetadataAccessor._METADATA_ENDPOINT = env("SIM_ENDPOINT")
    credential = MetadataAccessor().get_credential()
    if not credential.expire_at:
        sys.exit("sdk_smoke: the metadata credential has no expiry")
    total_count = list_one_page(credential.access, credential.secret, credential.security_token)
    return {"access": credential.access, "total_count": total_count}


CALLS = {
    "assume_role": lambda: print(json.dumps(assume_role())),
    "metadata": lambda: print(json.dumps(metadata())),
    "offsite_policy": offsite_policy,
    "offsite_instances": lambda: print(json.dumps(offsite_instances())),
}


if __name__ == "__main__":
    try:
        CALLS.get(os.environ.get("SIM_CALL", ""), main)()
    except exceptions.SdkException as error:
        print(f"sdk_smoke: SDK error: {error}", file=sys.stderr)
        sys.exit(1)
