"""Stands for an installed helper package: its code is never seen by the static analysis of the
program that imports it."""
