-- notice.refund_id refers to a refund (the refund table came with migration 0035, corrections).
ALTER TABLE notice ADD CONSTRAINT fk_notice_refund FOREIGN KEY (refund_id) REFERENCES refund (refund_id);
