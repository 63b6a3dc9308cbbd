"""Tests of bot/insights: the staff analytics and report."""
