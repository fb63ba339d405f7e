package io.bklog.s3;
