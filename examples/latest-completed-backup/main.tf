# The newest completed automated backup of an instance, handed to the resource that
# restores from it.

variable "instance_id" {
  description = "ID of the DB instance whose cross-region backups are searched."
  type        = string
}

data "rds_offsite_backups" "latest" {
  instance_id = var.instance_id
  backup_type = "auto"
  status      = "COMPLETED"
  most_recent = true
}

locals {
  # `most_recent = true` leaves at most one backup; one() turns that into the backup or null.
  latest_backup = one(data.rds_offsite_backups.latest.backups)
}

# A stand-in for the resource that restores from the backup (for example a new DB
# instance restored from it): it receives the backup's ID as an argument.
resource "terraform_data" "restore" {
  input = {
    backup_id = try(local.latest_backup.id, null)
    engine    = try("${local.latest_backup.datastore.type} ${local.latest_backup.datastore.version}", null)
  }

  lifecycle {
    precondition {
      condition     = local.latest_backup != null
      error_message = "Instance ${var.instance_id} has no completed cross-region backup to restore from."
    }
  }
}

output "latest_backup_id" {
  description = "ID of the newest completed backup: what the restore uses."
  value       = terraform_data.restore.output.backup_id
}

output "latest_backup" {
  description = "Name, start time, size and engine of the newest completed backup."
  value = {
    name       = local.latest_backup.name
    begin_time = local.latest_backup.begin_time
    end_time   = local.latest_backup.end_time
    size_kb    = local.latest_backup.size
    engine     = terraform_data.restore.output.engine
  }
}
