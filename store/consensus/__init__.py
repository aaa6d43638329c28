"""Consensus labels from several labelers (headless, numpy): Dawid–Skene for yes/no and
category fields, mean and spread for ratings, Bradley–Terry for rankings. `compute` runs all
three over a database; gold and adjudicated values override what the labelers' answers say."""
