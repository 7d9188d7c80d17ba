"""How far two models' answers agree, by task, and agreement with a reference during validation."""
