# The automated backups of the last seven days (by default) in the backup region.

variable "instance_id" {
  description = "ID of the DB instance whose cross-region backups are listed."
  type        = string
}

variable "lookback" {
  description = "How far back the window starts from its end, as a duration for timeadd(), e.g. \"168h\" (seven days)."
  type        = string
  default     = "168h"
}

variable "window_end" {
  description = "End of the window in RFC 3339, e.g. \"2026-11-27T00:00:00Z\". Null (the default) means now."
  type        = string
  default     = null
}

locals {
  # timestamp() changes on every run, so the window (and the read) moves with it.
  end_time   = coalesce(var.window_end, timestamp())
  begin_time = timeadd(local.end_time, "-${var.lookback}")
}

data "rds_offsite_backups" "recent" {
  instance_id = var.instance_id
  backup_type = "auto"
  begin_time  = local.begin_time
  end_time    = local.end_time
}

output "window" {
  description = "The time window that was queried."
  value = {
    begin_time = local.begin_time
    end_time   = local.end_time
  }
}

output "backup_count" {
  description = "How many backups started within the window."
  value       = length(data.rds_offsite_backups.recent.backups)
}

output "backups" {
  description = "The backups of the window, in the API's order."
  value = [
    for backup in data.rds_offsite_backups.recent.backups : {
      id         = backup.id
      name       = backup.name
      status     = backup.status
      begin_time = backup.begin_time
      size_kb    = backup.size
    }
  ]
}

output "total_size_kb" {
  description = "The combined size of the window's backups, in KB."
  value       = sum(concat([0], data.rds_offsite_backups.recent.backups[*].size))
}
