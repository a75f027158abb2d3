# A backup looked up by its exact name, e.g. the manual backup taken before an upgrade
# (cross-region manual backups exist only for RDS for SQL Server).

variable "instance_id" {
  description = "ID of the DB instance whose cross-region backups are searched."
  type        = string
}

variable "backup_name" {
  description = "The exact name of the backup to find."
  type        = string
}

variable "backup_type" {
  description = "\"auto\" (automated full and manual backups) or \"incremental\"."
  type        = string
  default     = "auto"
}

data "rds_offsite_backups" "named" {
  instance_id = var.instance_id
  backup_type = var.backup_type
  name        = var.backup_name
}

locals {
  # Names are not unique: when several backups share the name, take the newest.
  named_backup = try(data.rds_offsite_backups.named.backups[0], null)
}

output "backup" {
  description = "The newest backup with that name: its ID, status, size, engine and databases."
  value = local.named_backup == null ? null : {
    id         = local.named_backup.id
    status     = local.named_backup.status
    begin_time = local.named_backup.begin_time
    size_kb    = local.named_backup.size
    engine     = local.named_backup.datastore.type
    databases  = local.named_backup.databases == null ? [] : local.named_backup.databases[*].name
  }

  precondition {
    condition     = local.named_backup != null
    error_message = "Instance ${var.instance_id} has no ${var.backup_type} backup named \"${var.backup_name}\" in the backup region."
  }
}

output "matching_count" {
  description = "How many backups have that name."
  value       = length(data.rds_offsite_backups.named.backups)
}
