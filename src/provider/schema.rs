//! The provider block's schema, built from the settings table (`setting_table.rs`):
//! `terraform providers schema -json` shows its descriptions and `docs/index.md` is generated
//! from them.

use tfplugin::{Attribute, Schema, Type};

use crate::provider::setting_table::{SETTINGS, SettingKind, SettingSpec};

pub fn provider_schema() -> Schema {
    Schema::new(
        "The `rds` provider reads Huawei Cloud RDS data. It signs every request with an access \
         key and secret key (AK/SK, SDK-HMAC-SHA256). The region, the \
         credentials and most other settings can also come from `HW_*` environment variables, so \
         a configuration can hold no secret at all.",
        SETTINGS.iter().map(attribute).collect(),
    )
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
