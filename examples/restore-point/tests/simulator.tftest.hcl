# The module against the local API simulator (`rds-api-simulator`, demo data): the endpoint
# comes from `rds_endpoint` and the credentials from HW_REGION_NAME, HW_ACCESS_KEY and
# HW_SECRET_KEY, as in examples/*/providers.tf. With the simulator running, for example:
#   export HW_REGION_NAME=cn-north-4 HW_ACCESS_KEY=SIMULATORAK HW_SECRET_KEY=simulator-secret-key
#   TF_VAR_rds_endpoint=http://127.0.0.1:8787 TF_VAR_expected_backup_id=<id> terraform test
# (tests/acc_terraform_test.rs computes the expected id from the simulator's data). Variable
# blocks in test files need a recent Terraform (1.15 is tested).

# What the simulator's data says the newest completed backup is.
variable "expected_backup_id" {
  type = string
}

variables {
  # The simulator's demo MySQL instance.
  instance_id = "0c2e0c9f5f8d4b3a9a3c6e1f2d4b5a60in01"
}

run "reads_the_newest_completed_backup" {
  command = plan

  assert {
    condition     = output.backup_id == var.expected_backup_id
    error_message = "backup_id is not the newest completed backup the simulator holds."
  }

  assert {
    condition     = can(regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d{4}$", output.backup_time))
    error_message = "backup_time is not in the API's time format."
  }
}

run "an_instance_without_backups_has_no_restore_point" {
  command = plan

  variables {
    instance_id = "00000000000000000000000000000000in01"
  }

  assert {
    condition     = output.backup_id == null && output.backup_time == null
    error_message = "An instance without backups must have null outputs."
  }
}
