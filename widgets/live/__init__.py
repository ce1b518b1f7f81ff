"""Live sessions: what passes between a facilitator and their trainees, through the store.

Kernels never share memory, so everything goes through the database: the facilitator's page
writes the session's pacing (locks, hidden answers) and approvals; trainee pages poll the
pacing; the dashboard polls the answers. :mod:`.pacing` and :mod:`.poll` are light enough
for trainee pages; :mod:`.charts` and :mod:`.dashboard` import plotly (facilitator only).
"""
