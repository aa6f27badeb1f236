module github.com/notion-check/notion-check

go 1.26.8
