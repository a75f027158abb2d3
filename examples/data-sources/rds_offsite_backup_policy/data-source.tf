# The cross-region backup policy of an instance, read in the instance's own (source) region.
data "rds_offsite_backup_policy" "example" {
  instance_id = "43e4feaab48f11e89039fa163ebaa7e4in01"
  region      = "cn-east-3"
}

output "offsite_backup_enabled" {
  value = data.rds_offsite_backup_policy.example.enabled
}

# Days kept in the backup region, by backup type (auto, incremental).
output "offsite_keep_days" {
  value = {
    for policy in data.rds_offsite_backup_policy.example.policies :
    policy.backup_type => policy.keep_days
  }
}
