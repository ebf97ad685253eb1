"""The rules, one per file; ALL_RULES is the registry the engine, the CLI and the docs read."""

from inplace_fixer.rules.base import Rule
from inplace_fixer.rules.ipf001_augmented_assignment import AugmentedAssignment
from inplace_fixer.rules.ipf002_inplace_method import InplaceMethod
from inplace_fixer.rules.ipf003_torch_inplace_function import TorchInplaceFunction
from inplace_fixer.rules.ipf004_inplace_flag import InplaceFlag
from inplace_fixer.rules.ipf005_out_argument import OutArgument
from inplace_fixer.rules.ipf006_index_assignment import IndexAssignment
from inplace_fixer.rules.ipf007_data_mutation import DataMutation
from inplace_fixer.rules.ipf008_logical_inplace import LogicalInplace
from inplace_fixer.rules.ipf009_mutation_before_backward import MutationBeforeBackward

ALL_RULES: tuple[type[Rule], ...] = (
    AugmentedAssignment,
    InplaceMethod,
    TorchInplaceFunction,
    InplaceFlag,
    OutArgument,
    IndexAssignment,
    DataMutation,
    LogicalInplace,
    MutationBeforeBackward,
)
RULES_BY_CODE = {rule.code: rule for rule in ALL_RULES}


def rule_for(code: str) -> type[Rule] | None:
    return RULES_BY_CODE.get(code.upper())


__all__ = ["ALL_RULES", "RULES_BY_CODE", "Rule", "rule_for"]
