"""Tests of the simulator itself, over real HTTP on 127.0.0.1."""
