# Every MySQL instance with cross-region backups in the backup region, by name.
data "rds_offsite_backup_instances" "mysql" {
  engine = "MySQL"
}

output "offsite_mysql_instances" {
  value = {
    for instance in data.rds_offsite_backup_instances.mysql.instances :
    instance.name => {
      id            = instance.id
      source_region = instance.source_region
      keep_days     = instance.keep_days
    }
  }
}
