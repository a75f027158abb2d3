# Every automated full backup of an instance copied to the backup region.
data "rds_offsite_backups" "example" {
  instance_id = "43e4feaab48f11e89039fa163ebaa7e4in01"
  backup_type = "auto"
}

output "offsite_backup_names" {
  value = data.rds_offsite_backups.example.backups[*].name
}
