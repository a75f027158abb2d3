# A module that finds the restore point of an instance: its newest completed cross-region
# backup, or null when it has none. Tested by `terraform test` (see tests/): once with a mocked
# provider, once against the local simulator.

variable "instance_id" {
  description = "ID of the DB instance whose cross-region backups are searched."
  type        = string
}

variable "backup_type" {
  description = "Which backups may be restored from: `auto` (full) or `incremental`."
  type        = string
  default     = "auto"
}

data "rds_offsite_backups" "completed" {
  instance_id = var.instance_id
  backup_type = var.backup_type
  status      = "COMPLETED"
  most_recent = true
}

locals {
  # `most_recent = true` leaves at most one backup; one() turns that into the backup or null.
  newest = one(data.rds_offsite_backups.completed.backups)
}

output "backup_id" {
  description = "ID of the newest completed backup; null when the instance has none."
  value       = local.newest == null ? null : local.newest.id
}

output "backup_time" {
  description = "Start time of the newest completed backup, in the API's format; null when there is none."
  value       = local.newest == null ? null : local.newest.begin_time
}
