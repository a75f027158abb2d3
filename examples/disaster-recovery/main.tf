# Disaster recovery, read from the backup region: every instance that has cross-region
# backups here, and for each the newest completed full backup and up to when it can be
# restored, as one map keyed by instance name.

data "rds_offsite_backup_instances" "here" {}

locals {
  # Instance names are the keys of every map below (the ID when the API sends no name).
  # RDS does not require unique names: with two instances of one name, key by ID instead.
  instances = {
    for instance in data.rds_offsite_backup_instances.here.instances :
    coalesce(instance.name, instance.id) => instance
  }
}

data "rds_offsite_backups" "newest_completed" {
  for_each = local.instances

  instance_id = each.value.id
  backup_type = "auto"
  status      = "COMPLETED"
  most_recent = true
}

data "rds_offsite_restore_times" "all" {
  for_each = local.instances

  instance_id = each.value.id
}

output "recovery_points" {
  description = "Per instance name: its ID and engine, its newest completed full backup (null when there is none) and the latest point in time it can be restored to (null when there is none)."
  value = {
    for name, instance in local.instances : name => {
      instance_id            = instance.id
      engine                 = try("${instance.datastore.type} ${instance.datastore.version}", null)
      backup_id              = try(one(data.rds_offsite_backups.newest_completed[name].backups).id, null)
      backup_end_time        = try(one(data.rds_offsite_backups.newest_completed[name].backups).end_time, null)
      latest_restorable_time = data.rds_offsite_restore_times.all[name].latest_restorable_time
    }
  }
}
