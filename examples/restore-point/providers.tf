# The same in every example directory (tests/acc_examples.rs checks that they do not drift).
#
# Region and credentials come from the environment: HW_REGION_NAME, HW_ACCESS_KEY,
# HW_SECRET_KEY (and HW_SECURITY_TOKEN for temporary credentials). `rds_endpoint`
# points the provider at another API, such as the local simulator (`rds-api-simulator`).

terraform {
  required_version = ">= 1.4"

  required_providers {
    rds = {
      source  = "tfrds/rds"
      version = "~> 0.1"
    }
  }
}

variable "rds_endpoint" {
  description = "Base URL that serves both the RDS and the IAM API instead of Huawei Cloud, e.g. http://127.0.0.1:8080 for the local simulator. Null (the default) uses the region's real endpoints."
  type        = string
  default     = null
}

provider "rds" {
  endpoints = var.rds_endpoint == null ? null : {
    rds = var.rds_endpoint
    iam = var.rds_endpoint
  }
}
