# Up to when an instance can be restored from its backups in the backup region, and the
# restorable time ranges of one UTC day.
data "rds_offsite_restore_times" "example" {
  instance_id = "43e4feaab48f11e89039fa163ebaa7e4in01"
}

data "rds_offsite_restore_times" "one_day" {
  instance_id = "43e4feaab48f11e89039fa163ebaa7e4in01"
  date        = "2026-11-25"
}

output "latest_restorable_time" {
  value = data.rds_offsite_restore_times.example.latest_restorable_time
}

# Milliseconds since the epoch: the form the restore APIs take.
output "restorable_on_2026_11_25" {
  value = [
    for range in data.rds_offsite_restore_times.one_day.restore_times :
    { from = range.start_time_ms, to = range.end_time_ms }
  ]
}
