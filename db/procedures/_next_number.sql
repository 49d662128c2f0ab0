-- _next_number: takes the next value of a gapless number series (internal helper).
--
-- Runs inside the caller's transaction: the counter row stays locked until the caller commits
-- (so concurrent callers of the same series queue up) and a rollback gives the number back
-- (no gaps). Series in use: 'customer' and 'account' (year 0, never restart), 'bill' (per
-- calendar year; the billing engine takes bill numbers in bulk itself).
--
-- Parameters
--   p_counter  the series: number_counter.counter_name
--   p_year     the calendar year of the series, 0 for series that never restart
--   p_value    OUT: the number taken (1 for a new series)
-- Result: none (p_value). Errors: none of its own.
-- Example: CALL _next_number('customer', 0, v_no);  -- then CONCAT('C', LPAD(v_no, 7, '0'))
CREATE PROCEDURE _next_number(IN p_counter VARCHAR(20), IN p_year SMALLINT,
                              OUT p_value INT UNSIGNED)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the insert-or-increment takes the row's exclusive lock; the locking read sees our value
    INSERT INTO number_counter (counter_name, counter_year, last_value)
    VALUES (p_counter, p_year, 1)
    ON DUPLICATE KEY UPDATE last_value = last_value + 1;
    SELECT last_value INTO p_value
      FROM number_counter
     WHERE counter_name = p_counter AND counter_year = p_year
       FOR UPDATE;
END
