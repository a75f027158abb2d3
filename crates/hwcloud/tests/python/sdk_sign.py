"""Signs requests with the official Huawei Cloud Python SDK (huaweicloudsdkcore) and prints
their Authorization values, for crates/hwcloud/tests/sdk_signature.rs to compare with what the
Rust client sent.

Reads a JSON list of requests on stdin: method, host, path (as sent), query (list of [k, v]),
date (X-Sdk-Date), body (text), ak, sk, token, project_id (or null). Prints a JSON list of
Authorization header values in the same order. The token is added by the SDK itself
(`BasicCredentials.with_security_token`, then `sign_request` sets X-Security-Token and signs).
"""

import json
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest


def sign(r):
    if r["project_id"]:
        credentials = BasicCredentials(r["ak"], r["sk"], r["project_id"])
    else:
        credentials = BasicCredentials(r["ak"], r["sk"])
    if r["token"]:
        credentials = credentials.with_security_token(r["token"])
    request = SdkRequest(
        method=r["method"],
        schema="http",
        host=r["host"],
        resource_path=r["path"],
        query_params=[(k, v) for k, v in r["query"]],
        header_params={"X-Sdk-Date": r["date"], "Host": r["host"]},
        body=r["body"],
    )
    signed = credentials.sign_request(request)
    return signed.header_params["Authorization"]


print(json.dumps([sign(r) for r in json.load(sys.stdin)]))
