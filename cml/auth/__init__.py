"""Signing in and out (views), the signed-in user (loading) and what each role may do (capabilities).

Nothing is imported here: the models import `cml.auth.capabilities`, and importing the views
from this package would bring the models back in while they load (an import circle).
"""
