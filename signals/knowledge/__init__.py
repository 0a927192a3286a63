"""Knowledge articles: what a resolved signal or a decided kwestie taught the next person."""
