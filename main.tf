terraform {
 required_providers {
 rds = { source = "tfrds/rds", version = "0.1.0" }
 }
}
