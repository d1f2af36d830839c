"""Operations of the LRS for headquarters: throughput, rejections, lakehouse lag."""
