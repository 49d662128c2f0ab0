-- The reading review queue (issue 24 §4; db/views/v_staff_review_queue.sql): its pages list the
-- readings in review oldest first (read_on, reading_id), 25 at a time, and say how many there
-- are. On ix_reading_status (status) the server read every reading in review (2,000 at 1M
-- accounts, each a row of the clustered index) and sorted them, for every page and again for
-- the count: 5 + 8 ms of the page's SQL at 1M, growing with the queue. ix_reading_status
-- becomes (status, read_on, reading_id, meter_id): the entries of the readings in review come
-- out in the queue's order, so a page's ids are read from the index alone (a deep page too),
-- and the count is one index range (meter_id is there because the queue's view joins on it).
-- reading_id is the primary key, written out so that it sorts before meter_id. Every other use
-- of the old index (v_kpi_summary's count of readings in review) is a use of its prefix, so no
-- second index costs record_reading's inserts.
ALTER TABLE meter_reading DROP INDEX ix_reading_status,
  ADD INDEX ix_reading_status (status, read_on, reading_id, meter_id);
