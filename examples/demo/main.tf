# The demo configuration (scripts/demo.sh runs it against the local simulator): every
# automated cross-region backup of an instance, and the newest completed one.

variable "instance_id" {
  description = "ID of the DB instance whose cross-region backups are listed."
  type        = string
}

data "rds_offsite_backups" "all" {
  instance_id = var.instance_id
  backup_type = "auto"
}

data "rds_offsite_backups" "most_recent_completed" {
  instance_id = var.instance_id
  backup_type = "auto"
  status      = "COMPLETED"
  most_recent = true
}

output "total_count" {
  description = "How many automated backups the API reports for the instance."
  value       = data.rds_offsite_backups.all.total_count
}

output "backups" {
  description = "Every automated backup of the instance, in the API's order."
  value = [
    for backup in data.rds_offsite_backups.all.backups : {
      id         = backup.id
      name       = backup.name
      status     = backup.status
      engine     = "${backup.datastore.type} ${backup.datastore.version}"
      size_kb    = backup.size
      begin_time = backup.begin_time
    }
  ]
}

output "most_recent_completed" {
  description = "The newest completed backup (null when there is none): the one to restore from."
  value = one([
    for backup in data.rds_offsite_backups.most_recent_completed.backups : {
      id         = backup.id
      name       = backup.name
      engine     = "${backup.datastore.type} ${backup.datastore.version}"
      size_kb    = backup.size
      begin_time = backup.begin_time
      end_time   = backup.end_time
    }
  ])
}

# The disaster-recovery view of the same backup region: every instance with offsite backups
# here, and the latest point in time each can be restored to.
data "rds_offsite_backup_instances" "here" {}

data "rds_offsite_restore_times" "each" {
  for_each    = toset([for instance in data.rds_offsite_backup_instances.here.instances : instance.id])
  instance_id = each.value
}

output "instances" {
  description = "Every instance with offsite backups in this region, in the API's order, with the latest point in time it can be restored to."
  value = [
    for instance in data.rds_offsite_backup_instances.here.instances : {
      id                     = instance.id
      name                   = instance.name
      engine                 = try("${instance.datastore.type} ${instance.datastore.version}", null)
      keep_days              = instance.keep_days
      latest_restorable_time = data.rds_offsite_restore_times.each[instance.id].latest_restorable_time
    }
  ]
}
