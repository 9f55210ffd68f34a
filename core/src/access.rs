//! Who may do what in the console. `Role::can` is the one place that decides: the pages use it to
//! hide what a role cannot use, and the server functions use it (through the session) to refuse
//! whatever the browser sends anyway. Compiled for the browser too, so both sides agree.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::types::Role;

/// Something a staff member can do in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Search customers and read their profiles and timelines.
    ViewCustomers,
    /// Add notes, change tags and the lifecycle stage.
    EditCustomers,
    /// Work the review queue: merge, not the same person, defer.
    ReviewMatches,
    /// Merge two profiles by hand, and undo a merge.
    MergeCustomers,
    ViewAudit,
    ManageUsers,
    ManageApiKeys,
    /// Tenant thresholds and the default phone region.
    ManageSettings,
    ViewAnalytics,
    /// Export, soft-delete, restore and erase a person's data.
    ManagePrivacy,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::ViewCustomers,
        Permission::EditCustomers,
        Permission::ReviewMatches,
        Permission::MergeCustomers,
        Permission::ViewAudit,
        Permission::ManageUsers,
        Permission::ManageApiKeys,
        Permission::ManageSettings,
        Permission::ViewAnalytics,
        Permission::ManagePrivacy,
    ];
}

impl Role {
    /// Agents work with customers; managers read profiles and analytics; admins do everything.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Agent => matches!(permission, ViewCustomers | EditCustomers),
            Role::Manager => matches!(permission, ViewCustomers | ViewAnalytics),
        }
    }

    /// The role's name as the console shows it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Manager => "Manager",
            Role::Agent => "Agent",
        }
    }
}

/// The signed-in staff member, as the console shows them. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl StaffMember {
    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }
}

#[cfg(test)]
mod tests {
    use super::Permission::*;
    use super::*;

    #[test]
    fn each_role_holds_exactly_its_permissions() {
        let table: &[(Role, &[Permission])] = &[
            (Role::Admin, Permission::ALL),
            (Role::Agent, &[ViewCustomers, EditCustomers]),
            (Role::Manager, &[ViewCustomers, ViewAnalytics]),
        ];
        for (role, allowed) in table {
            for permission in Permission::ALL {
                assert_eq!(
                    role.can(*permission),
                    allowed.contains(permission),
                    "{role} / {permission:?}"
                );
            }
        }
    }

    #[test]
    fn only_admins_review_merge_or_configure() {
        for permission in [
            ReviewMatches,
            MergeCustomers,
            ViewAudit,
            ManageUsers,
            ManageApiKeys,
            ManageSettings,
        ] {
            assert!(Role::Admin.can(permission));
            assert!(!Role::Agent.can(permission), "{permission:?}");
            assert!(!Role::Manager.can(permission), "{permission:?}");
        }
        assert!(
            !Role::Manager.can(EditCustomers),
            "managers read profiles only"
        );
        assert!(!Role::Agent.can(ViewAnalytics));
    }
}
