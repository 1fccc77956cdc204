"""Tests of the Connected Vehicle integration."""
