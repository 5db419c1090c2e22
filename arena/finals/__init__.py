"""On-site finals: finalists, judges, rubrics, conflicts, marks, the declared formula, lock and reveal."""
