//! The provider block's schema, built from the settings table (`setting_table.rs`):
//! `terraform providers schema -json` shows its descriptions and `docs/index.md` is generated
//! from them.

use tfplugin::{Attribute, NestedBlock, Schema, Type};

use crate::provider::setting_table::{
    ASSUME_ROLE, ASSUME_ROLE_SETTINGS, SETTINGS, SettingKind, SettingSpec,
};

pub fn provider_schema() -> Schema {
    Schema::new(
        "The `rds` provider reads Huawei Cloud RDS data. It signs every request with an access \
         key and secret key (AK/SK, SDK-HMAC-SHA256). The region, the \
         credentials and most other settings can also come from `HW_*` environment variables, so \
         a configuration can hold no secret at all. Credentials come from the first source \
         that gives keys: `access_key`/`secret_key` (block, then `HW_ACCESS_KEY`/`HW_SECRET_KEY`), \
         the KooCLI profile (`shared_config_file`/`profile`), then the ECS metadata service when \
         `use_ecs_metadata` is true; `assume_role` then applies on top of them.",
        SETTINGS.iter().map(attribute).collect(),
    )
    .with_block(NestedBlock::single(
        ASSUME_ROLE,
        "Assume an IAM agency (possibly of another account) with the base credentials: its \
         temporary credentials, obtained from IAM (`POST /v3.0/OS-CREDENTIAL/securitytokens`) and \
         refreshed before they expire, sign every request. Each attribute falls back to its \
         `HW_ASSUME_ROLE_*` variable; the variables alone (without the block) enable it too.",
        ASSUME_ROLE_SETTINGS.iter().map(attribute).collect(),
    ))
}

/// A setting as an optional attribute of the provider block.
fn attribute(spec: &SettingSpec) -> Attribute {
    let attribute = match spec.kind {
        SettingKind::String => Attribute::string(spec.name),
        SettingKind::Bool => Attribute::bool(spec.name),
        SettingKind::Number => Attribute::number(spec.name),
        SettingKind::StringMap => Attribute::map_of(spec.name, Type::String),
    }
    .optional();
    let attribute = if spec.sensitive {
        attribute.sensitive()
    } else {
        attribute
    };
    attribute.description(spec.description())
}
