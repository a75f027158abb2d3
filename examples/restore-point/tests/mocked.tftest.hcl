# The module's logic without any API or credentials: Terraform's mock provider loads the real
# provider's schema (and runs its validation), and `override_data` stands in for the read.
# Values are typed by the schema: `[]`, not `null`, for an empty list. Needs Terraform 1.7 or
# later.

mock_provider "rds" {}

variables {
  instance_id = "a48e43ff268f4c0e879652d65e63d0fbin01"
}

run "newest_completed_backup" {
  command = plan

  override_data {
    target = data.rds_offsite_backups.completed
    values = {
      backups = [
        {
          id                  = "43e4feaab48f11e89039fa163ebaa7e4br01"
          name                = "nightly-2026-11-27"
          type                = "auto"
          size                = 2803
          status              = "COMPLETED"
          instance_id         = "a48e43ff268f4c0e879652d65e63d0fbin01"
          begin_time          = "2026-11-27T02:00:00+0800"
          end_time            = "2026-11-27T02:09:41+0800"
          associated_with_ddm = null
          # Values are typed by the schema; a bare `null` for a list would not be.
          databases = [{ name = "sales" }]
          datastore = { type = "sqlserver", version = "2019_SE" }
        },
      ]
    }
  }

  assert {
    condition     = data.rds_offsite_backups.completed.status == "COMPLETED" && data.rds_offsite_backups.completed.most_recent
    error_message = "The module must ask for the newest completed backup only."
  }

  assert {
    condition     = output.backup_id == "43e4feaab48f11e89039fa163ebaa7e4br01"
    error_message = "backup_id is not the backup's id."
  }

  assert {
    condition     = output.backup_time == "2026-11-27T02:00:00+0800"
    error_message = "backup_time is not the backup's begin_time."
  }
}

run "no_completed_backup" {
  command = plan

  override_data {
    target = data.rds_offsite_backups.completed
    values = {
      backups = []
    }
  }

  assert {
    condition     = output.backup_id == null && output.backup_time == null
    error_message = "Without a backup, both outputs must be null."
  }
}
