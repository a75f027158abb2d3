terraform {
  required_providers {
    rds = {
      source  = "tfrds/rds"
      version = "~> 0.1"
    }
  }
}

# Credentials come from the environment (HW_ACCESS_KEY, HW_SECRET_KEY and, for
# temporary credentials, HW_SECURITY_TOKEN): never write them in a configuration.
provider "rds" {
  region = "cn-north-4"
}
